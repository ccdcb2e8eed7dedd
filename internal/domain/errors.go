package domain

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that one place can map it to a status.
type Kind int

const (
	ErrInternal    Kind = iota // a bug or an unexpected failure; details stay in the log
	ErrInvalid                 // the caller sent something malformed
	ErrNotFound                // the thing asked for does not exist
	ErrUnavailable             // a dependency (the database) cannot be reached
	ErrConflict                // the request contradicts stored state
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
	}
	return "internal"
}

// Error is an error with a Kind and, for invalid input, the parameter at fault.
type Error struct {
	Kind    Kind
	Param   string // the query parameter, field or line the error is about
	Message string
	Err     error // the underlying cause, if any; never shown to clients
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

// KindOf returns the kind of err; errors without one are ErrInternal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrInternal
}
