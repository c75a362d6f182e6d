package server

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/cartwheelhq/cartwheel/store"
)

// listMessages lists the workspace's messages newest first:
// GET /api/v1/messages?channel=&status=&contact_id=&limit=&cursor= (before=
// is accepted for cursor, as is an RFC 3339 time).
func (s *Server) listMessages(c *fiber.Ctx) error {
	limit, err := queryInt(c, "limit", 50, 1, 500)
	if err != nil {
		return err
	}
	f := store.MessageFilter{Channel: c.Query("channel"), Status: c.Query("status"), ContactID: c.Query("contact_id"), Limit: limit}
	switch f.Channel {
	case "", store.ChannelEmail, store.ChannelPush, store.ChannelInbox:
	default:
		return errBadRequest("channel must be email, push or inbox")
	}
	switch f.Status {
	case "", store.MessageQueued, store.MessageSent, store.MessageOutbox, store.MessageFailed, store.MessageSkipped:
	default:
		return errBadRequest("status must be queued, sent, outbox, failed or skipped")
	}
	if v := c.Query("before"); v != "" && c.Query("cursor") == "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			f.Before = t // strictly before that time
		} else if f.Before, f.BeforeID, err = parseCursorValue(v); err != nil {
			return errBadRequest("before is an RFC 3339 time or a next_cursor")
		}
	} else if f.Before, f.BeforeID, err = parseCursor(c); err != nil {
		return err
	}
	ms, err := s.opt.Store.Messages(c.UserContext(), currentWorkspace(c).ID, f)
	if err != nil {
		return err
	}
	next := ""
	if len(ms) == limit {
		last := ms[len(ms)-1]
		next = makeCursor(last.CreatedAt, last.ID)
	}
	if ms == nil {
		ms = []store.Message{}
	}
	return c.JSON(fiber.Map{"messages": ms, "next_cursor": next})
}

// parseCursorValue reads a "<unix ms>.<id>" cursor.
func parseCursorValue(v string) (time.Time, string, error) {
	msPart, id, ok := strings.Cut(v, ".")
	n, err := strconv.ParseInt(msPart, 10, 64)
	if !ok || err != nil || n <= 0 || id == "" {
		return time.Time{}, "", errors.New("malformed cursor")
	}
	return time.UnixMilli(n), id, nil
}

func (s *Server) getMessage(c *fiber.Ctx) error {
	m, err := s.opt.Store.Message(c.UserContext(), currentWorkspace(c).ID, c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(m)
}

func (s *Server) getMessagingSettings(c *fiber.Ctx) error {
	set, err := s.opt.Messaging.Settings(c.UserContext(), currentWorkspace(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(set)
}

// updateMessagingSettings applies a partial settings document; invalid
// settings are a 400 (messaging.InvalidSettings).
func (s *Server) updateMessagingSettings(c *fiber.Ctx) error {
	body, err := jsonBody(c)
	if err != nil {
		return err
	}
	set, err := s.opt.Messaging.UpdateSettings(c.UserContext(), currentWorkspace(c).ID, body)
	if err != nil {
		return err
	}
	return c.JSON(set)
}
