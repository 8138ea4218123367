package lessons

import (
	"embed"
	"io/fs"
)

//go:embed course
var course embed.FS

// CourseDir is how the embedded course's folder is named in messages: its
// path in the dockstep source tree.
const CourseDir = "lessons/course"

// Course returns the course that ships inside dockstep.
func Course() fs.FS {
	sub, err := fs.Sub(course, "course")
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	return sub
}
