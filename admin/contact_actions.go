package admin

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cartwheelhq/cartwheel/cdp"
)

// maxTagLen is the longest tag, as flows' tag steps allow.
const maxTagLen = 64

// contactTag adds or removes a tag on a contact (owners and marketers). It
// logs tag_added or tag_removed as a flow's tag step does; the profile
// processor applies it within moments.
func (h *Handler) contactTag(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Ingest == nil {
		return errNotFound
	}
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	tag := strings.TrimSpace(r.PostFormValue("tag"))
	typ := cdp.EventTagAdded
	if r.PostFormValue("op") == "remove" {
		typ = cdp.EventTagRemoved
	}
	if tag == "" || len(tag) > maxTagLen {
		return h.renderContact(w, r, q, http.StatusUnprocessableEntity, v.Contact.ID,
			map[string]string{"tag": h.texts.text(q.Locale, "contact.bad_tag")}, map[string]string{"tag": tag})
	}
	if err := h.opt.Ingest.RecordFor(r.Context(), q.WS.ID, v.Contact.ID, typ, "console", time.Now(), map[string]any{"tag": tag}); err != nil {
		return err
	}
	h.record(r.Context(), q, "contact."+typ, v.Contact.ID, tag)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/contacts/"+v.Contact.ID+"?saved=tag", http.StatusSeeOther)
	return nil
}

// contactExport downloads everything held on a contact, as a privacy
// request's export (owners).
func (h *Handler) contactExport(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	b, err := h.opt.Connectors.ExportContact(r.Context(), q.WS.ID, v.Contact.ID)
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "contact.export", v.Contact.ID, "")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="contact-`+v.Contact.ID+`.json"`)
	_, err = w.Write(b)
	return err
}

// contactErase erases a contact and everything held on them (owners),
// once the owner typed the contact's email (or id) to confirm.
func (h *Handler) contactErase(w http.ResponseWriter, r *http.Request, q *request) error {
	if h.opt.Connectors == nil {
		return errNotFound
	}
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	confirm := strings.TrimSpace(r.PostFormValue("confirm"))
	if confirm == "" || (!strings.EqualFold(confirm, v.Contact.Email) && confirm != v.Contact.ID) {
		return h.renderContact(w, r, q, http.StatusUnprocessableEntity, v.Contact.ID,
			map[string]string{"confirm": h.texts.text(q.Locale, "contact.erase_confirm_bad")}, nil)
	}
	if _, err := h.opt.Connectors.EraseContact(r.Context(), q.WS.ID, v.Contact.ID); err != nil {
		return err
	}
	h.record(r.Context(), q, "contact.erase", v.Contact.ID, "")
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/contacts?erased=1", http.StatusSeeOther)
	return nil
}

// routesContactNotes registers the contact card's notes.
func (h *Handler) routesContactNotes(m *http.ServeMux) {
	m.HandleFunc("POST /admin/w/{ws}/contacts/{id}/notes", h.inWorkspace(h.editor(h.contactNoteAdd)))
	m.HandleFunc("POST /admin/w/{ws}/contacts/{id}/notes/{note}/delete", h.inWorkspace(h.editor(h.contactNoteDelete)))
}

// contactNoteAdd keeps a note on the contact, signed with the person's
// email (owners and marketers).
func (h *Handler) contactNoteAdd(w http.ResponseWriter, r *http.Request, q *request) error {
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	body := r.PostFormValue("note")
	n, err := h.opt.Contacts.AddNote(r.Context(), q.WS.ID, v.Contact.ID, q.User.ID, q.User.Email, body, time.Now())
	var bad *cdp.NoteError
	if errors.As(err, &bad) {
		return h.renderContact(w, r, q, http.StatusUnprocessableEntity, v.Contact.ID,
			map[string]string{"note": h.texts.text(q.Locale, "note.bad")}, map[string]string{"note": body})
	}
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "contact.note_add", v.Contact.ID, n.ID)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/contacts/"+v.Contact.ID+"?saved=note#notes", http.StatusSeeOther)
	return nil
}

// contactNoteDelete deletes a note from the contact (owners and
// marketers), whoever wrote it: notes are the team's.
func (h *Handler) contactNoteDelete(w http.ResponseWriter, r *http.Request, q *request) error {
	v, err := h.opt.Contacts.View(r.Context(), q.WS.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	n, err := h.opt.Contacts.DeleteNote(r.Context(), q.WS.ID, v.Contact.ID, r.PathValue("note"))
	if err != nil {
		return err
	}
	h.record(r.Context(), q, "contact.note_delete", v.Contact.ID, n.ID)
	http.Redirect(w, r, "/admin/w/"+q.WS.ID+"/contacts/"+v.Contact.ID+"?saved=note_deleted#notes", http.StatusSeeOther)
	return nil
}
