package checks

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSameInstruction holds the rules docs/lesson-format.md gives for when a
// line of the learner's Dockerfile is the instruction a dockerfile check
// asks for.
func TestSameInstruction(t *testing.T) {
	const app = "FROM python:3\nWORKDIR /usr/src/app\n"
	tests := []struct {
		name       string
		has        []string // the check's has, with order: true
		dockerfile string
		same       bool
	}{
		{"keyword case", []string{"EXPOSE 5000"}, "FROM python:3\nexpose 5000\n", true},
		{"spacing", []string{"RUN pip install --no-cache-dir -r requirements.txt"}, "FROM python:3\nRUN   pip install\t--no-cache-dir  -r requirements.txt\n", true},
		{"exec-form spacing", []string{`CMD ["python", "./app.py"]`}, app + `cmd [ "python","./app.py" ]` + "\n", true},
		{"./ in CMD under the lesson's WORKDIR", []string{"WORKDIR /usr/src/app", `CMD ["python", "./app.py"]`}, app + `CMD ["python", "app.py"]` + "\n", true},
		{"./ in CMD with no WORKDIR in the check", []string{`CMD ["python", "./app.py"]`}, app + `CMD ["python", "app.py"]` + "\n", true},
		{"absolute path inside WORKDIR", []string{"WORKDIR /usr/src/app", `CMD ["python", "./app.py"]`}, app + `CMD ["python", "/usr/src/app/app.py"]` + "\n", true},
		{"absolute path elsewhere", []string{"WORKDIR /usr/src/app", `CMD ["python", "./app.py"]`}, app + `CMD ["python", "/app/app.py"]` + "\n", false},
		{"same file name under another WORKDIR", []string{"WORKDIR /usr/src/app", `CMD ["python", "./app.py"]`}, "FROM python:3\nWORKDIR /app\n" + `CMD ["python", "./app.py"]` + "\n", false},
		{"./ on the program is a path, not a PATH lookup", []string{`CMD ["python", "./app.py"]`}, app + `CMD ["./python", "./app.py"]` + "\n", false},
		{"other words", []string{`CMD ["python", "./app.py"]`}, app + `CMD ["python", "./main.py"]` + "\n", false},
		{"CMD shell form is not the exec form", []string{`CMD ["python", "./app.py"]`}, app + "CMD python ./app.py\n", false},
		{"single quotes are not a list", []string{`CMD ["python", "./app.py"]`}, app + "CMD ['python', './app.py']\n", false},
		{"RUN exec form equals its shell form", []string{"RUN pip install -r requirements.txt"}, app + `RUN ["pip", "install", "-r", "requirements.txt"]` + "\n", true},
		{"shell quoting", []string{"RUN pip install -r requirements.txt"}, app + `RUN pip install -r "requirements.txt"` + "\n", true},
		{"RUN with shell syntax is compared as written", []string{"RUN pip install -r requirements.txt && rm -rf /tmp/x"}, app + "RUN pip install -r requirements.txt  &&  rm -rf /tmp/x\n", true},
		{"RUN with other shell syntax", []string{"RUN pip install -r requirements.txt && rm -rf /tmp/x"}, app + "RUN pip install -r requirements.txt; rm -rf /tmp/x\n", false},
		{"COPY ./ ./", []string{"COPY . ."}, app + "COPY ./ ./\n", true},
		{"COPY to WORKDIR by its path", []string{"WORKDIR /usr/src/app", "COPY . ."}, app + "COPY . /usr/src/app/\n", true},
		{"COPY to another folder", []string{"WORKDIR /usr/src/app", "COPY . ."}, app + "COPY . /app\n", false},
		{"COPY flags matter", []string{"COPY . ."}, app + "COPY --chown=1000 . .\n", false},
		{"WORKDIR trailing slash", []string{"WORKDIR /usr/src/app"}, "FROM python:3\nWORKDIR /usr/src/app/\n", true},
		{"relative WORKDIR", []string{"WORKDIR /usr/src/app"}, "FROM python:3\nWORKDIR /usr\nWORKDIR src/app\n", true},
		{"EXPOSE tcp is the default", []string{"EXPOSE 5000"}, app + "EXPOSE 5000/tcp\n", true},
		{"EXPOSE udp", []string{"EXPOSE 5000"}, app + "EXPOSE 5000/udp\n", false},
		{"ENV quoting", []string{"ENV NAME=world"}, app + `ENV NAME="world"` + "\n", true},
		{"ENV legacy form", []string{`ENV NAME="hello world"`}, app + "ENV NAME hello world\n", true},
		{"FROM a full reference", []string{"FROM python:3"}, "FROM docker.io/library/python:3\n", true},
		{"FROM another tag", []string{"FROM python:3"}, "FROM python:3.12\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tt.dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			has, _ := json.Marshal(tt.has)
			r := compile(t, "dockerfile: {has: "+string(has)+", order: true}").Evaluate(context.Background(), &Env{Dir: dir})
			if r.Passed != tt.same {
				t.Errorf("%q against\n%s\ngot passed=%v (%s), want %v", tt.has, tt.dockerfile, r.Passed, r.Message, tt.same)
			}
		})
	}
}

// The lines the lesson asks for in order are in order when any line that
// matches each is: a learner who appended the lesson's lines below their
// own attempt has them in order.
func TestDockerfileOrderAnyMatch(t *testing.T) {
	tests := []struct {
		name, dockerfile string
		pass             bool
		want             string
	}{
		{"appended after an attempt", "FROM python:3\nWORKDIR /app\nCOPY . .\nRUN true\nCOPY . .\nWORKDIR /usr/src/app\nCOPY . .\n", true, ""},
		{"only the earlier one", "FROM python:3\nCOPY . .\nWORKDIR /usr/src/app\n", false, "`COPY . .` (line 2) must come after `WORKDIR /usr/src/app` (line 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tt.dockerfile), 0o644)
			r := compile(t, `dockerfile: {has: ["WORKDIR /usr/src/app", "COPY . ."], order: true}`).Evaluate(context.Background(), &Env{Dir: dir})
			if r.Passed != tt.pass || !strings.Contains(r.Message, tt.want) {
				t.Errorf("got passed=%v %q, want %v and a message containing %q", r.Passed, r.Message, tt.pass, tt.want)
			}
		})
	}
}

func TestDockerfileFormDiagnoses(t *testing.T) {
	tests := []struct{ line, want string }{
		{"CMD python ./app.py", "`CMD python ./app.py` (line 3) is the shell form, which runs the program under /bin/sh -c; the lesson uses the list (exec) form"},
		{"CMD ['python', './app.py']", "has single quotes, so Docker does not read it as a list but as a shell command: use double quotes"},
		{`CMD ["python", "main.py"]`, "the closest is `CMD [\"python\", \"main.py\"]` (line 3)"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM python:3\nWORKDIR /usr/src/app\n"+tt.line+"\n"), 0o644)
		r := compile(t, `dockerfile: {has: ["CMD [\"python\", \"./app.py\"]"]}`).Evaluate(context.Background(), &Env{Dir: dir})
		if r.Passed || !strings.Contains(r.Message, tt.want) {
			t.Errorf("%s: got passed=%v %q, want a failure containing %q", tt.line, r.Passed, r.Message, tt.want)
		}
	}
}
