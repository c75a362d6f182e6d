-- A flow's funnel and revenue read its messages: without this index each
-- flow page scanned the workspace's whole message history.
CREATE INDEX messages_flow ON messages (workspace_id, flow_id);
