// Package jsonfile decodes the JSON tables etuus ships and operators
// replace (schedules, filing exceptions): strictly, so a typing error in a
// table is an error rather than a silently ignored field.
package jsonfile

import (
	"encoding/json"
	"errors"
	"io"
)

// ErrTrailing is data after the table's one JSON value.
var ErrTrailing = errors.New("data after the table")

// Decode reads one JSON value from r into v, refusing unknown fields and
// anything after the value.
func Decode(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return ErrTrailing
	}
	return nil
}
