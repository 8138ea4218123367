package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockstep/dockstep/internal/prover"
)

// Record is what demos of a lesson created on the engine, by ID, kept in a
// file until it is removed, so that removing it never touches anything
// else: not the presenter's own objects, not what others run on the engine.
type Record struct {
	Lesson  string         `json:"lesson"`
	Objects prover.Objects `json:"objects"`
}

// Recorder is the Tracker of a demo: it notes the objects that appear on
// the engine during the demo and that the lesson names, and keeps them in
// its file after every step.
type Recorder struct {
	path  string
	d     prover.CleanupDocker
	snap  *prover.Snapshot
	scope prover.Scope
	rec   Record
}

// NewRecorder records what the engine holds now, so that what the demo of
// lesson creates can be told apart. What an earlier demo recorded in the
// file at path and left stays in the record.
func NewRecorder(ctx context.Context, d prover.CleanupDocker, path, lesson string, scope prover.Scope) (*Recorder, error) {
	rec, err := LoadRecord(path)
	if err != nil {
		return nil, err
	}
	rec.Lesson = lesson
	snap, err := prover.TakeSnapshot(ctx, d)
	if err != nil {
		return nil, fmt.Errorf("recording what the engine holds before the demo: %w", err)
	}
	return &Recorder{path: path, d: d, snap: snap, scope: scope, rec: rec}, nil
}

// LoadRecord reads the record at path; an empty one when there is none.
func LoadRecord(path string) (Record, error) {
	var rec Record
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("reading what earlier demos created: %w", err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		return rec, fmt.Errorf("%s: %w; it records what an earlier demo created: remove those objects by hand, then the file", path, err)
	}
	return rec, nil
}

// Update adds what appeared since the demo began to the record, and saves
// it.
func (r *Recorder) Update(ctx context.Context) error {
	o, err := r.snap.New(ctx, r.d, r.scope)
	r.rec.Objects.Add(o)
	if serr := r.save(); serr != nil {
		return errors.Join(err, serr)
	}
	return err
}

func (r *Recorder) save() error {
	if r.rec.Objects.Count() == 0 {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(r.path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r.rec, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.path + ".new"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, r.path)
}

// Created says what the demo created that is still there.
func (r *Recorder) Created(ctx context.Context) (string, error) {
	now, err := r.snap.New(ctx, r.d, r.scope)
	if err != nil {
		return "", err
	}
	kept := func(recorded, present []prover.Object) []string {
		var names []string
		for _, p := range present {
			if slices.ContainsFunc(recorded, func(o prover.Object) bool { return o.ID == p.ID }) {
				names = append(names, p.Name)
			}
		}
		return names
	}
	rec := r.rec.Objects
	var tags []string
	for _, t := range now.Tags {
		if slices.ContainsFunc(rec.Tags, func(o prover.Object) bool { return o.ID == t.ID && o.Name == t.Name }) {
			tags = append(tags, t.Name)
		}
	}
	return describe(prover.Removed{
		Containers: kept(rec.Containers, now.Containers),
		Images:     kept(rec.Images, now.Images),
		Untagged:   tags,
		Volumes:    kept(rec.Volumes, now.Volumes),
		Networks:   kept(rec.Networks, now.Networks),
	}), nil
}

// Remove removes what the record holds and, when that worked, the record.
func (r *Recorder) Remove(ctx context.Context) (string, error) {
	removed, err := RemoveRecorded(ctx, r.d, r.path)
	return describe(removed), err
}

// describe names the objects, or says "" when there are none.
func describe(r prover.Removed) string {
	if r.Count() == 0 && len(r.Restored) == 0 && len(r.Left) == 0 {
		return ""
	}
	return r.String()
}

// RemoveRecorded removes what the record at path holds, that is what
// earlier demos created and left, then the record.
func RemoveRecorded(ctx context.Context, d prover.CleanupDocker, path string) (prover.Removed, error) {
	rec, err := LoadRecord(path)
	if err != nil {
		return prover.Removed{}, err
	}
	removed, err := prover.Remove(ctx, d, rec.Objects)
	if err != nil {
		return removed, fmt.Errorf("%w; the rest stays recorded in %s, for dockstep demo --reset to try again", err, path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return removed, err
	}
	return removed, nil
}

// RecordPath is where the record of a lesson's demos is kept under
// dockstep's state folder.
func RecordPath(stateDir, lesson string) string {
	return filepath.Join(stateDir, "demo", strings.ReplaceAll(lesson, string(filepath.Separator), "_")+".json")
}
