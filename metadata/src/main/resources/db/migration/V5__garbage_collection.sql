-- The garbage collector's runs: one row each, with the report the admin API shows. A run that is
-- 'running' when the collector's lock is next taken was left by a replica that died; it is marked
-- 'abandoned' then, and the new run simply does its work again (every step is idempotent).
create table gc_run (
    id                  bigint generated always as identity primary key,
    dry_run             boolean not null,
    requested_by        varchar(255) not null,
    status              varchar(16) not null
                        check (status in ('pending', 'running', 'finished', 'failed', 'skipped', 'abandoned')),
    orphan_scan         boolean not null default false,
    replica             varchar(255),
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    report              text
);
create index gc_run_by_time on gc_run (created_at desc);

-- The collector's candidate queries: old rows first, and only rows older than the grace period.
create index blob_by_reference_time on blob (last_referenced_at);
create index repository_blob_by_reference_time on repository_blob (last_referenced_at);
create index manifest_with_subject_by_time on manifest (created_at) where subject_digest is not null;
