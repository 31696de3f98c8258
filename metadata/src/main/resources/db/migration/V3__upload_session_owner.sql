-- Who opened each upload session, so that one account or one address cannot pile up sessions without
-- bound. Sessions opened before this migration have neither and count against nobody.
alter table upload_session add column started_by varchar(255);
alter table upload_session add column started_from varchar(255);
create index upload_session_by_account on upload_session (started_by, updated_at) where started_by is not null;
create index upload_session_by_address on upload_session (started_from, updated_at) where started_from is not null;
