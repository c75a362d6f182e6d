package main

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mountSmallDisk mounts a 16 MiB tmpfs for the test, or skips when the test
// may not mount (not root); CARTWHEEL_REQUIRE_MOUNT=1 makes that a failure.
func mountSmallDisk(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=16m"); err != nil {
		if os.Getenv("CARTWHEEL_REQUIRE_MOUNT") == "1" {
			t.Fatalf("mount tmpfs: %v", err)
		}
		t.Skipf("cannot mount a small tmpfs (%v): run as root to test a full disk at start-up", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// fillDisk writes a file until the disk is full and returns it.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path
			}
			t.Fatal(err)
		}
	}
}

// A server whose disk is full at start-up (migrations already applied)
// starts read-only: reads are served, writes answer 503 with Retry-After,
// /readyz is not ready; once there is room it takes writes without a
// restart (issue 12: it used to refuse to start).
func TestStartsReadOnlyOnFullDisk(t *testing.T) {
	disk := mountSmallDisk(t)
	cfg := testEnv(t, filepath.Join(disk, "data"), nil)
	inst, _ := startTest(t, cfg)
	admin := apiClient{t: t, inst: inst, token: testAdminToken}
	w, api, _ := newTenant(t, admin, "RO", "ro-shop.myshopify.com")
	if err := inst.stop(); err != nil {
		t.Fatal(err)
	}

	filler := fillDisk(t, disk)
	inst, logs := startTest(t, cfg)
	admin.inst, api.inst = inst, inst
	if code, _, _ := get(t, inst.url("/readyz")); code != 503 {
		t.Errorf("/readyz on a read-only start: %d", code)
	}
	var ws wsJSON
	if code := admin.do("GET", "/api/v1/workspaces/"+w.ID, nil, &ws); code != 200 || ws.ID != w.ID {
		t.Errorf("read on a read-only start: %d %+v", code, ws)
	}
	code, hdr := rawPost(t, inst.url("/api/v1/events"), api.token, bigEventsBatch("ro", 50))
	if code != 503 || hdr.Get("Retry-After") == "" {
		t.Errorf("write on a read-only start: %d %q", code, hdr.Get("Retry-After"))
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitReady(t, inst)
	if code := api.do("POST", "/api/v1/events", bigEventsBatch("ro-after", 50), nil); code != 202 {
		t.Errorf("after room is made: %d\n%s", code, logs.String())
	}
	if code := admin.do("GET", "/api/v1/workspaces/"+w.ID, nil, &ws); code != 200 {
		t.Errorf("read after recovery: %d", code)
	}
}
