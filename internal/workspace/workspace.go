// Package workspace copies a lesson's files (its workspace folder) into the
// folder the learner works in, without ever overwriting what the learner
// changed unless asked, and without writing through symbolic links.
package workspace

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockstep/dockstep/lessons"
)

// DefaultDir returns the folder offered to the learner for a
// lesson's files: "dockstep-<lesson id>" under base.
func DefaultDir(base string, l *lessons.Lesson) string {
	return filepath.Join(base, "dockstep-"+l.ID)
}

// Copy copies the lesson's workspace folder (l.Workspace inside l.FS)
// into dest, creating dest if it is missing. A file already in dest with the
// same content is left alone. A file whose content differs, such as one the
// learner edited, is replaced only if overwrite(rel) returns true; a nil
// overwrite never replaces. It returns the paths, relative to dest and
// separated by "/", of the files it wrote and of the differing files it kept;
// files that were already the same are in neither. Files are written with
// mode 0644 (0755 when executable in the lesson), new folders with 0755.
// Symbolic links are refused on both sides: in the lesson, and where dest
// already has a link at a path it would write to.
//
// A lesson without a workspace has nothing to copy: all results are nil.
func Copy(l *lessons.Lesson, dest string, overwrite func(rel string) bool) (written, kept []string, err error) {
	if l.Workspace == "" {
		return nil, nil, nil
	}
	fail := func(err error) ([]string, []string, error) {
		return written, kept, fmt.Errorf("copying the files of lesson %s to %s: %w", l.ID, dest, err)
	}
	if l.FS == nil {
		return fail(fmt.Errorf("the lesson names the workspace %s but has no files to read it from", l.Workspace))
	}
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return fail(err)
	}
	// Read the whole workspace first, so that a link in it stops the copy
	// before anything is written.
	entries, err := readWorkspace(l.FS, l.Workspace)
	if err != nil {
		return fail(err)
	}
	for _, e := range entries {
		target := filepath.Join(dest, filepath.FromSlash(e.rel))
		if e.dir {
			if err := makeDir(target); err != nil {
				return fail(err)
			}
			continue
		}
		exists, same, err := compareFile(target, e.data)
		switch {
		case err != nil:
			return fail(err)
		case same:
			continue
		case exists && (overwrite == nil || !overwrite(e.rel)):
			kept = append(kept, e.rel)
			continue
		}
		if err := writeFileAtomic(target, e.data, e.mode); err != nil {
			return fail(err)
		}
		written = append(written, e.rel)
	}
	return written, kept, nil
}

// workspaceEntry is a folder or a file of a lesson's workspace.
type workspaceEntry struct {
	rel  string // relative to the workspace, "/"-separated
	dir  bool
	data []byte
	mode fs.FileMode
}

// readWorkspace reads every folder and file under root, parents before
// their contents. Links and other special files are refused.
func readWorkspace(fsys fs.FS, root string) ([]workspaceEntry, error) {
	var out []workspaceEntry
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		if rel == "" {
			return nil // the workspace folder itself: dest
		}
		if !filepath.IsLocal(filepath.FromSlash(rel)) || path.Clean(rel) != rel {
			return fmt.Errorf("%s would be written outside the folder; dockstep refuses it", p)
		}
		switch t := d.Type(); {
		case t&fs.ModeSymlink != 0:
			return fmt.Errorf("%s in the lesson's workspace is a symbolic link; a workspace holds only files and folders", p)
		case d.IsDir():
			out = append(out, workspaceEntry{rel: rel, dir: true})
			return nil
		case !t.IsRegular():
			return fmt.Errorf("%s in the lesson's workspace is not a regular file", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, workspaceEntry{rel: rel, data: data, mode: mode})
		return nil
	})
	return out, err
}

// makeDir makes sure dir is a folder, creating it if missing. A link or a
// file in its place is an error.
func makeDir(dir string) error {
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		return os.Chmod(dir, 0o755)
	case err != nil:
		return err
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link; dockstep does not write through links: remove it or choose another folder", dir)
	case !st.IsDir():
		return fmt.Errorf("%s is a file where the lesson has a folder; move it away or choose another folder", dir)
	}
	return nil
}

// compareFile reports whether a file exists at p and whether it holds
// exactly data. A link or a folder in its place is an error.
func compareFile(p string, data []byte) (exists, same bool, err error) {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, false, nil
	case err != nil:
		return false, false, err
	case st.Mode()&fs.ModeSymlink != 0:
		return true, false, fmt.Errorf("%s is a symbolic link; dockstep does not write through links: remove it or choose another folder", p)
	case !st.Mode().IsRegular():
		return true, false, fmt.Errorf("%s is not a regular file where the lesson has one; move it away or choose another folder", p)
	case st.Size() != int64(len(data)):
		return true, false, nil
	}
	old, err := os.ReadFile(p)
	if err != nil {
		return true, false, err
	}
	return true, bytes.Equal(old, data), nil
}

// writeFileAtomic writes data to a temporary file beside p and renames it
// over p, so that p is never left half written.
func writeFileAtomic(p string, data []byte, mode fs.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".dockstep-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}
