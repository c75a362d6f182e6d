package actions_test

import (
	"encoding/json"
	"testing"
)

// A workspace's own push contact (messaging settings' push_subject) signs
// its pushes instead of the instance's.
func TestSendPushWorkspaceSubject(t *testing.T) {
	f := newFixture(t)
	if _, err := f.msg.UpdateSettings(f.ctx, ws, json.RawMessage(`{"push_subject":"mailto:push@cafe.example"}`)); err != nil {
		t.Fatal(err)
	}
	f.contact("ct_ann", "", "v1", false, "")
	f.subscribe("push_1", "v1")
	if res, err := f.ch.SendPush(f.ctx, enrollment("ct_ann", f.checkout("v1")), pushStep("push1")); err != nil || res.Skipped != "" {
		t.Fatalf("SendPush = %+v, %v", res, err)
	}
	if ds := f.push.Deliveries(); len(ds) != 1 || ds[0].Claims.Subject != "mailto:push@cafe.example" {
		t.Fatalf("deliveries %+v", ds)
	}
}
