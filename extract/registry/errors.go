package registry

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrInvalid is what every registry validation problem wraps: the file was
// read but its content breaks a rule (see the package doc). Test with
// errors.Is; errors.As with *Error gives the position of one problem, with
// *ValidationError all of them. The pipeline reports it as a configuration
// error (exit code 2).
var ErrInvalid = errors.New("invalid influencer registry")

// Error is one problem in a registry file.
type Error struct {
	// File is the file as the settings name it.
	File string
	// Line is the YAML or CSV line (the header is CSV line 1); 0 when the
	// problem is about the whole file.
	Line int
	// Creator is the creator's id, when known.
	Creator string
	// Field is the YAML key path (costs[1].amount) or the CSV column.
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, " line %d", e.Line)
	}
	b.WriteString(": ")
	if e.Creator != "" {
		fmt.Fprintf(&b, "creator %s: ", e.Creator)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

func (e *Error) Unwrap() error { return ErrInvalid }

// ValidationError lists the problems found in a registry, in file order.
type ValidationError struct {
	Problems []*Error
	// More counts the problems found after the first maxProblems, which are
	// not listed.
	More int
}

// maxProblems bounds the listed problems: a file in the wrong format would
// otherwise produce one per line.
const maxProblems = 20

func (e *ValidationError) Error() string {
	if len(e.Problems) == 1 && e.More == 0 {
		return "influencer registry: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "influencer registry: %d problems:", len(e.Problems)+e.More)
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.Error())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  … and %d more", e.More)
	}
	return b.String()
}

// Unwrap returns the problems, each of which wraps ErrInvalid.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// problems collects validation problems while a registry is read.
type problems struct {
	list []*Error
}

func (p *problems) add(e *Error) { p.list = append(p.list, e) }

func (p *problems) addf(file string, line int, creator, field, format string, args ...any) {
	p.add(&Error{File: file, Line: line, Creator: creator, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// count is the number of problems so far, to tell whether a step added any.
func (p *problems) count() int { return len(p.list) }

// err returns the problems in file order (files in the order they were
// read, lines ascending) as a *ValidationError, or nil when there are none.
func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	fileOrder := map[string]int{}
	for _, e := range p.list {
		if _, ok := fileOrder[e.File]; !ok {
			fileOrder[e.File] = len(fileOrder)
		}
	}
	list := slices.Clone(p.list)
	slices.SortStableFunc(list, func(a, b *Error) int {
		if c := cmp.Compare(fileOrder[a.File], fileOrder[b.File]); c != 0 {
			return c
		}
		return cmp.Compare(a.Line, b.Line)
	})
	ve := &ValidationError{Problems: list}
	if len(list) > maxProblems {
		ve.Problems, ve.More = list[:maxProblems], len(list)-maxProblems
	}
	return ve
}
