package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles portico once per test run into a temp dir.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "portico")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestServeWithNoConfig is the newcomer's first command: no config file, no external service.
func TestServeWithNoConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Dir = dir
	// The default port may be busy on a developer machine; the override uses the documented
	// APP_CONFIG_ mechanism and changes nothing else.
	cmd.Env = append(os.Environ(), fmt.Sprintf("APP_CONFIG_backend_listen_port=%d", port), "LOG_FORMAT=json")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				logs <- m
			}
		}
		close(logs)
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var ready bool
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/.backstage/health/v1/readiness")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				ready = true
				break
			}
		}
	}
	if !ready {
		_ = cmd.Process.Kill()
		t.Fatal("portico did not become ready")
	}
	resp, err := http.Get(base + "/api/app/config")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `[{"context":`) {
		t.Errorf("/api/app/config: %d %s", resp.StatusCode, body)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	var seenReady, seenData bool
	for m := range logs {
		msg, _ := m["msg"].(string)
		if msg == "portico is ready" && strings.Contains(fmt.Sprint(m["url"]), fmt.Sprint(port)) {
			seenReady = true
		}
		if msg == "database" && m["directory"] == filepath.Join(dir, ".portico") {
			seenData = true
		}
	}
	select {
	case err := <-waitErr:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		t.Fatal("portico did not stop after SIGTERM")
	}
	if !seenReady || !seenData {
		t.Errorf("logs lack the listen URL (%v) or the data directory (%v)", seenReady, seenData)
	}
	if fi, err := os.Stat(filepath.Join(dir, ".portico")); err != nil || !fi.IsDir() {
		t.Errorf(".portico not created: %v", err)
	}
}
