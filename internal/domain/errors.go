package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that one place can map it to a status.
type Kind int

const (
	ErrInternal      Kind = iota // a bug or an unexpected failure; details stay in the log
	ErrInvalid                   // the caller sent something malformed
	ErrNotFound                  // the thing asked for does not exist
	ErrUnavailable               // a dependency (the database) cannot be reached
	ErrConflict                  // the request contradicts stored state
	ErrUnprocessable             // well-formed, but its content breaks a rule (a report, a ledger row)
	ErrUnauthorized              // no credentials, or bad or revoked ones
	ErrForbidden                 // credentials that do not allow this
	ErrRateLimited               // too many requests from one token
)

func (k Kind) String() string {
	switch k {
	case ErrInvalid:
		return "invalid"
	case ErrNotFound:
		return "not_found"
	case ErrUnavailable:
		return "unavailable"
	case ErrConflict:
		return "conflict"
	case ErrUnprocessable:
		return "unprocessable"
	case ErrUnauthorized:
		return "unauthorized"
	case ErrForbidden:
		return "forbidden"
	case ErrRateLimited:
		return "rate_limited"
	}
	return "internal"
}

// Error is an error with a Kind and, for invalid input, the parameter at fault.
type Error struct {
	Kind    Kind
	Param   string // the query parameter, field or line the error is about
	Message string
	// Problems lists every fault of a rejected batch (a ledger's rows),
	// each naming its line or item and field; the first is also in Param.
	Problems []Problem
	Err      error // the underlying cause, if any; never shown to clients
}

// Problem is one fault of one item of a batch: the CSV line (counting the
// header as line 1) or the 0-based index in a JSON array, and the field.
type Problem struct {
	Line    int    `json:"line,omitempty"`
	Index   *int   `json:"index,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Where names the item and field, as "line 3: quantity" or "[2].quantity".
func (p Problem) Where() string {
	switch {
	case p.Line > 0:
		return fmt.Sprintf("line %d: %s", p.Line, p.Field)
	case p.Index != nil:
		return fmt.Sprintf("[%d].%s", *p.Index, p.Field)
	}
	return p.Field
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Param != "" {
		msg = e.Param + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an ErrInvalid error about param.
func Invalid(param, format string, args ...any) *Error {
	return &Error{Kind: ErrInvalid, Param: param, Message: fmt.Sprintf(format, args...)}
}

// Reject returns an ErrUnprocessable error about field.
func Reject(field, format string, args ...any) *Error {
	return &Error{Kind: ErrUnprocessable, Param: field, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err; errors without one are ErrInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrInternal
}
