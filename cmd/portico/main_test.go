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

	"github.com/jackc/pgx/v5"
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

// TestTwoProcessesOnOnePostgres starts two portico processes against one PostgreSQL at the same
// moment: both must become ready (database creation and migrations race safely).
func TestTwoProcessesOnOnePostgres(t *testing.T) {
	pgURL := os.Getenv("PORTICO_TEST_POSTGRES_URL")
	if pgURL == "" {
		t.Skip("PORTICO_TEST_POSTGRES_URL not set: two-replica PostgreSQL start skipped")
	}
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	prefix := fmt.Sprintf("portico_e2e_%d_", time.Now().UnixNano()%1_000_000_000)
	t.Cleanup(func() { dropDatabases(t, pgURL, prefix) })
	type proc struct {
		cmd  *exec.Cmd
		port int
	}
	var procs []proc
	for i := 0; i < 2; i++ {
		dir := t.TempDir()
		port := freePort(t)
		cfg := fmt.Sprintf("backend:\n  listen: { host: 127.0.0.1, port: %d }\n  database:\n    client: pg\n    connection: %q\n    prefix: %s\n", port, pgURL, prefix)
		if err := os.WriteFile(filepath.Join(dir, "app-config.yaml"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LOG_LEVEL=warn")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		procs = append(procs, proc{cmd, port})
	}
	for _, p := range procs {
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range procs {
		ready := false
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/.backstage/health/v1/readiness", p.port))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ready = true
					break
				}
			}
			if p.cmd.ProcessState != nil {
				break
			}
		}
		if !ready {
			t.Errorf("replica on port %d did not become ready: %v", p.port, p.cmd.Stderr)
		}
	}
	for _, p := range procs {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if err := p.cmd.Wait(); err != nil {
			t.Errorf("replica on port %d: exit %v: %v", p.port, err, p.cmd.Stderr)
		}
	}
}

// dropDatabases removes every database whose name starts with prefix.
func dropDatabases(t *testing.T, pgURL, prefix string) {
	conn, err := pgx.Connect(context.Background(), pgURL)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), "SELECT datname FROM pg_database WHERE datname LIKE $1", prefix+"%")
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, n := range names {
		_, _ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{n}.Sanitize()+" WITH (FORCE)")
	}
}
