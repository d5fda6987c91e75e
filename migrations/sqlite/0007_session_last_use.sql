-- Idle sessions end (登录连接超时自动退出): when each session was last used, stored so that
-- every instance judges idleness alike. NULL until a use is recorded: the creation time counts.
ALTER TABLE sessions ADD COLUMN last_used_at INTEGER;
