package checks

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/go-connections/nat"
)

// An engine of Docker 28 or later may publish one container port on IPv4
// and IPv6 with two different host ports, as docker port shows:
//
//	80/tcp -> 0.0.0.0:32781
//	80/tcp -> [::]:32780
//
// Both are right answers, the IPv4 one first, and each must be accepted:
// the prover gives the quiz every answer Answers lists.
func TestHostPortAnswerOnIPv4AndIPv6(t *testing.T) {
	c := fakeContainer{}
	c.summary.ID, c.summary.Names = "c1", []string{"/static-site"}
	c.inspect.ContainerJSONBase = &container.ContainerJSONBase{State: &container.State{Running: true, Status: "running"}}
	c.inspect.NetworkSettings = &container.NetworkSettings{}
	c.inspect.NetworkSettings.Ports = nat.PortMap{
		"80/tcp": {
			{HostIP: "::", HostPort: "32780"},
			{HostIP: "0.0.0.0", HostPort: "32781"},
		},
		"443/tcp": {
			{HostIP: "0.0.0.0", HostPort: "32780"},
			{HostIP: "::", HostPort: "32779"},
		},
	}
	env := &Env{Docker: &fakeDocker{containers: []fakeContainer{c}}}
	ctx := context.Background()
	a, err := Default().CompileAnswer(spec(t, "host-port: {container: static-site, port: 80}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := a.Answers(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"32781", "32780"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Answers = %q, want %q (IPv4 first)", got, want)
	}
	for _, given := range append(got, "0.0.0.0:32781", "[::]:32780") {
		if ok, err := a.Accepts(ctx, env, given); err != nil || !ok {
			t.Errorf("Accepts(%q) = %v, %v; want true", given, ok, err)
		}
	}
	for _, given := range []string{"32779", "80", "32781 or 32780"} {
		if ok, err := a.Accepts(ctx, env, given); err != nil || ok {
			t.Errorf("Accepts(%q) = %v, %v; want false", given, ok, err)
		}
	}
}

// A wrong port is explained when it is one of docker port's other numbers:
// the container's own port, or the host port of another of its ports.
func TestHostPortAnswerSaysWhyItIsWrong(t *testing.T) {
	c := fakeContainer{}
	c.summary.ID, c.summary.Names = "c1", []string{"/static-site"}
	c.inspect.ContainerJSONBase = &container.ContainerJSONBase{State: &container.State{Running: true, Status: "running"}}
	c.inspect.NetworkSettings = &container.NetworkSettings{}
	c.inspect.NetworkSettings.Ports = nat.PortMap{
		"80/tcp":  {{HostIP: "0.0.0.0", HostPort: "32809"}},
		"443/tcp": {{HostIP: "0.0.0.0", HostPort: "32810"}},
	}
	env := &Env{Docker: &fakeDocker{containers: []fakeContainer{c}}}
	a, err := Default().CompileAnswer(spec(t, "host-port: {container: static-site, port: 80}"), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := a.(WrongExplainer)
	if !ok {
		t.Fatal("a host-port answer does not say why an answer is wrong")
	}
	for given, want := range map[string]string{
		"80":            "80 is the port inside the container",
		"80/tcp":        "80 is the port inside the container",
		"0.0.0.0:32810": "32810 leads to port 443/tcp of static-site, not to port 80/tcp: take the line that starts with 80/tcp",
		"12345":         "",
	} {
		got := w.WhyWrong(context.Background(), env, given)
		if want == "" && got != "" || !strings.Contains(got, want) {
			t.Errorf("WhyWrong(%q) = %q, want it to say %q", given, got, want)
		}
	}
}

// An exit-code quiz on a container that does not exist names one of a
// close name, as a learner who typed --name greter made.
func TestExitCodeAnswerNamesACloseContainer(t *testing.T) {
	a, err := Default().CompileAnswer(spec(t, "exit-code: greeter"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, have, want string
	}{
		{"a typo", "greter", "there is no container named greeter, so its exit code cannot be read; there is greter: a typo? Remove it (docker rm -f greter) and run the step's command, which names it greeter"},
		{"nothing close", "static-site", "there is no container named greeter, so its exit code cannot be read: run the step's command, which names it greeter (docker ps -a lists the names)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fakeContainer{}
			c.summary.ID, c.summary.Names = "c1", []string{"/" + tt.have}
			c.inspect.ContainerJSONBase = &container.ContainerJSONBase{State: &container.State{Status: "exited", ExitCode: 3}}
			env := &Env{Docker: &fakeDocker{containers: []fakeContainer{c}}}
			_, err := a.Accepts(context.Background(), env, "3")
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %s", err, tt.want)
			}
		})
	}
}

// A wrong image ID is explained when it is the start of the right one, or
// the ID of another image that docker images lists.
func TestImageIDAnswerSaysWhyItIsWrong(t *testing.T) {
	busybox := image.InspectResponse{ID: "sha256:45c21e57ba89d65fa31f4328c5c83bb4165d362fa94c5b106098a385a2a0ed2e", RepoTags: []string{"busybox:latest"}}
	f := listedImages{
		&fakeDocker{images: map[string]image.InspectResponse{"docker.io/library/busybox:latest": busybox, "busybox": busybox}},
		[]image.Summary{
			{ID: busybox.ID, RepoTags: []string{"busybox:latest"}},
			{ID: "sha256:b267886c76161f6ca8ed4cbc7a0e79b0a7d5a0b0d87ec7d1ed4e27e42d8ba1c0", RepoTags: []string{"alpine:latest"}},
		},
	}
	env := &Env{Docker: f}
	a, err := Default().CompileAnswer(spec(t, "image-id: busybox"), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := a.(WrongExplainer)
	if !ok {
		t.Fatal("an image-id answer does not say why an answer is wrong")
	}
	tests := []struct{ given, want string }{
		{"45c21e", "45c21e is how the ID starts: give all twelve characters of the IMAGE ID column"},
		{"B267886C7616", "b267886c7616 is the ID of alpine, not of busybox: take the IMAGE ID on the line of busybox"},
		{"sha256:b267886c76161f6ca8ed", "b267886c7616 is the ID of alpine, not of busybox: take the IMAGE ID on the line of busybox"},
		{"0123456789ab", ""},
		{"b2678", ""},
	}
	for _, tt := range tests {
		if ok, err := a.Accepts(context.Background(), env, tt.given); ok || err != nil {
			t.Errorf("Accepts(%q) = %v, %v; want false", tt.given, ok, err)
		}
		if got := w.WhyWrong(context.Background(), env, tt.given); got != tt.want {
			t.Errorf("WhyWrong(%q) = %q, want %q", tt.given, got, tt.want)
		}
	}
}
