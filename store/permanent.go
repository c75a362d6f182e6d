package store

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// IsPermanent reports whether err is a database refusal that writing the
// same data again cannot overcome: a constraint the data breaks, a value
// of the wrong type or size. A locked or busy database, a full disk or a
// cancelled context are not: they pass.
func IsPermanent(err error) bool {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code {
	case sqlite3.ErrConstraint, sqlite3.ErrMismatch, sqlite3.ErrTooBig, sqlite3.ErrRange:
		return true
	}
	return false
}
