-- Web processes keep verified API tokens in memory for API_TOKEN_CACHE_SECONDS and evict an
-- account's tokens when NOTIFY api_tokens names it (an empty payload: everyone's). Triggers send
-- it, so that no code path, and no operator's SQL, can change what a token stands for unheard:
-- a token revoked, re-dated, moved or deleted; an account's role, suspension, two-factor, session
-- version, email or display name changed; an account deleted. last_used_at and the other
-- columns send nothing. A NOTIFY is delivered at commit, and repeats in one transaction fold.
CREATE FUNCTION "api_tokens_notify_token"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		PERFORM pg_notify('api_tokens', '');
		RETURN NULL;
	END IF;
	IF TG_OP = 'UPDATE' AND NEW.user_id IS DISTINCT FROM OLD.user_id THEN
		PERFORM pg_notify('api_tokens', NEW.user_id::text);
	END IF;
	PERFORM pg_notify('api_tokens', OLD.user_id::text);
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE FUNCTION "api_tokens_notify_account"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('api_tokens', OLD.id::text);
	RETURN NULL;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "api_tokens_notify_update" AFTER UPDATE OF "revoked_at", "expires_at", "token_hash", "user_id" ON "api_tokens" FOR EACH ROW WHEN (
	OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at"
	OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at"
	OR OLD."token_hash" IS DISTINCT FROM NEW."token_hash"
	OR OLD."user_id" IS DISTINCT FROM NEW."user_id"
) EXECUTE FUNCTION "api_tokens_notify_token"();--> statement-breakpoint
CREATE TRIGGER "api_tokens_notify_delete" AFTER DELETE ON "api_tokens" FOR EACH ROW EXECUTE FUNCTION "api_tokens_notify_token"();--> statement-breakpoint
CREATE TRIGGER "api_tokens_notify_truncate" AFTER TRUNCATE ON "api_tokens" FOR EACH STATEMENT EXECUTE FUNCTION "api_tokens_notify_token"();--> statement-breakpoint
CREATE TRIGGER "users_notify_api_tokens_update" AFTER UPDATE OF "role", "suspended_at", "totp_enabled_at", "session_version", "email", "display_name" ON "users" FOR EACH ROW WHEN (
	OLD."role" IS DISTINCT FROM NEW."role"
	OR OLD."suspended_at" IS DISTINCT FROM NEW."suspended_at"
	OR OLD."totp_enabled_at" IS DISTINCT FROM NEW."totp_enabled_at"
	OR OLD."session_version" IS DISTINCT FROM NEW."session_version"
	OR OLD."email" IS DISTINCT FROM NEW."email"
	OR OLD."display_name" IS DISTINCT FROM NEW."display_name"
) EXECUTE FUNCTION "api_tokens_notify_account"();--> statement-breakpoint
CREATE TRIGGER "users_notify_api_tokens_delete" AFTER DELETE ON "users" FOR EACH ROW EXECUTE FUNCTION "api_tokens_notify_account"();
