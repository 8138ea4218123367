// Package lessons reads dockstep lessons: Markdown files with YAML front
// matter, split into steps at each level-two heading.
//
// The Markdown parser stays inside this package. The rest of dockstep sees
// only the types declared here, each of which remembers the file and line it
// came from so that every problem can be reported as path:line: message.
package lessons

import (
	"fmt"
	"io/fs"

	"gopkg.in/yaml.v3"
)

// FormatVersion is the lesson format this build of dockstep reads. A lesson
// declares the version it was written for in its front matter (format: 1).
const FormatVersion = 1

// Pos is a place in a lesson file.
type Pos struct {
	File string // path as shown to the user
	Line int    // 1-based; 0 when unknown
	// Builtin names the place in a lesson of the course built into
	// dockstep, whose file the learner does not have: the lesson and the
	// step it is in, "static-site, step 2". Empty for a lesson read from a
	// file.
	Builtin string
}

// Where names the place for a learner: as file:line in a lesson read from
// a file, and by lesson and step in the course built into dockstep, whose
// file path means nothing on the learner's machine. Messages for lesson
// authors (lint, dockstep test) give File and Line.
func (p Pos) Where() string {
	if p.Builtin != "" {
		return p.Builtin
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Lesson is one parsed lesson file.
type Lesson struct {
	ID      string // file name without leading "NN-" and ".md"
	Pos     Pos    // the file itself (line 1)
	Format  int
	Title   string
	Summary string
	Vars    []Var
	// Images the lesson needs, as written in the front matter.
	Images []string
	// Tools the lesson needs besides the docker command, such as
	// "compose", from the front matter (see KnownTools).
	Tools []string
	// Workspace is the folder beside the lesson (a path inside FS) whose files
	// are copied to the learner's working directory; empty when there is none.
	Workspace string
	// FS holds the lesson file and its workspace.
	FS fs.FS
	// Intro is the text before the first step.
	Intro []Block
	Steps []*Step
}

// Var is a variable declared in the front matter and used as {{name}}.
type Var struct {
	Name    string
	Prompt  string
	Default string
	// Type is what kind of value it is: VarPort, VarName, VarPath, or ""
	// for any text. Each type has its own rule and says it in words.
	Type string
	// Pattern is a regular expression the whole value must match; empty
	// for any.
	Pattern string
	// Message says in words what a value must be, for a value that does
	// not match Pattern, such as "4 to 30 lower-case letters and digits".
	Message string
	Pos     Pos
}

// Step is the part of a lesson under one "##" heading.
type Step struct {
	Index int // 1-based
	Title string
	Pos   Pos
	// Body is the step's prose and shown code, in order. Check, hint and quiz
	// blocks are not part of it.
	Body []Block
	// Solution is what the learner is asked to do, in order: commands to run
	// and file contents to write. Replaying it completes the step.
	Solution []Action
	Checks   []CheckSpec
	Hints    []Hint
	Quiz     *Quiz
	// Notes are what a presenter wants to say at this step (```notes
	// blocks, joined), shown by dockstep demo --notes and nowhere else.
	Notes string
	// HoldsBefore is set when the lesson marks the step's checks as already
	// holding before the learner acts (a check block with {holds-before}).
	HoldsBefore bool
}

// ActionKind says what replaying an Action does.
type ActionKind int

const (
	// Run runs a shell command and waits for it.
	Run ActionKind = iota
	// Background starts a shell command that keeps running.
	Background
	// WriteFile writes Text to Path in the working directory.
	WriteFile
	// AppendFile appends Text to Path in the working directory.
	AppendFile
)

func (k ActionKind) String() string {
	switch k {
	case Run:
		return "run"
	case Background:
		return "background"
	case WriteFile:
		return "write"
	case AppendFile:
		return "append"
	}
	return "unknown"
}

// Action is one piece of a step's solution.
type Action struct {
	Kind ActionKind
	// Text is the command (Run, Background) or the file content (WriteFile,
	// AppendFile), with {{vars}} not yet filled in.
	Text string
	Path string // the file, for WriteFile and AppendFile
	// Input, for an interactive command, is typed into its terminal when the
	// solution is replayed.
	Input       string
	Interactive bool
	// Manual commands are shown to the learner but never replayed.
	Manual bool
	// Replay, when set, is what replays run instead of Text: the command
	// kept to the objects the lesson made, where Text, which the learner is
	// shown, would act on the whole engine (a {replay} block).
	Replay     string
	ReplayLine int
	Pos        Pos
}

// CheckSpec is a check as written in a lesson: its kind and raw fields. The
// checks package gives it meaning.
type CheckSpec struct {
	Kind string
	// Value is the YAML node that follows the kind: a scalar, a mapping or a
	// sequence. Use Expand to fill in variables before decoding it.
	Value *yaml.Node
	Pos   Pos // the line of the kind key
	// Commands are the commands of the step's solution, in order, with
	// {{vars}} not yet filled in, so that a failing check can advise the
	// lesson's own command rather than one of its making.
	Commands []string
}

// Hint is one hint, revealed one at a time.
type Hint struct {
	Text string // Markdown
	Pos  Pos
}

// Quiz is a question the learner answers in the runner.
type Quiz struct {
	Question string
	Choices  []string
	// Answer is the literal right answer, when the lesson gives one.
	Answer string
	// AnswerFrom is set when the answer is read from the engine, such as
	// answer: {image-id: busybox}.
	AnswerFrom *CheckSpec
	Explain    string
	Pos        Pos
}

// BlockKind is the kind of a block of step text.
type BlockKind int

const (
	Paragraph BlockKind = iota
	Heading
	Code
	Quote
	ListItem
	Rule
	HTML
)

// Block is a block of a step's text, for the runner to render.
type Block struct {
	Kind  BlockKind
	Level int // heading level; list nesting depth (1-based) for ListItem
	// Spans are the inline parts of a Paragraph, Heading, Quote or ListItem.
	Spans []Span
	// Number is the item's number in an ordered list, 0 in a bullet list.
	Number int
	// Lang, Attrs and Text describe a Code block.
	Lang  string
	Attrs map[string]string
	Text  string
	// Command is set on code blocks the learner is asked to run.
	Command bool
	Pos     Pos
}

// SpanStyle is the style of an inline span.
type SpanStyle int

const (
	Plain SpanStyle = iota
	CodeSpan
	Strong
	Emphasis
	Link
)

// Span is a run of inline text in one style.
type Span struct {
	Style SpanStyle
	Text  string
	URL   string // for Link
}
