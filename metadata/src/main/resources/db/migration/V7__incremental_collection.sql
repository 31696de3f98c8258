-- What lets a garbage collection run cost what changed since the last run, not what the registry
-- holds. A run looks at two kinds of candidate only:
--   * rows whose reference time fell out of the grace period since the last run (a window over the
--     reference-time indexes of V5), which covers everything pushed, uploaded or mounted;
--   * rows that lost a reference since: recorded here, by triggers, whichever statement removed it (a
--     manifest or tag delete, retention, a repository delete and its cascades, the collector itself).
-- Every so often (with the orphan scan) a run looks at everything instead.

-- The cutoff a finished run worked up to: the next run's window starts there.
alter table gc_run add column reference_cutoff timestamptz;
alter table gc_run add column full_pass boolean not null default false;

-- Blobs that lost a manifest reference or a repository link. A row's seq changes with every new loss,
-- so the collector clears only the rows it looked at, as they were when it looked.
create sequence gc_suspect_seq;
create table gc_suspect (
    blob_digest         varchar(200) primary key,
    seq                 bigint not null
);

create function gc_suspect_lost_blobs() returns trigger language plpgsql as $$
begin
    -- In digest order, so that two deletes sharing blobs lock their rows in the same order.
    insert into gc_suspect (blob_digest, seq)
    select digest, nextval('gc_suspect_seq') from (select distinct blob_digest as digest from gone order by 1) lost
    on conflict (blob_digest) do update set seq = excluded.seq;
    return null;
end $$;

create trigger manifest_blob_lost after delete on manifest_blob
    referencing old table as gone for each statement execute function gc_suspect_lost_blobs();
create trigger repository_blob_lost after delete on repository_blob
    referencing old table as gone for each statement execute function gc_suspect_lost_blobs();

-- Referrers whose subject was deleted: marked when it goes, and looked at by every run while the mark
-- stays (a tagged referrer becomes garbage only once its tag goes too). The collector clears the mark
-- of a referrer whose subject was pushed again.
alter table manifest add column subject_lost_at timestamptz;
create index manifest_subject_lost on manifest (subject_lost_at) where subject_lost_at is not null;

create function gc_mark_lost_subjects() returns trigger language plpgsql as $$
begin
    update manifest m set subject_lost_at = now()
    from (select distinct repository_id, digest from gone) lost
    where m.repository_id = lost.repository_id and m.subject_digest = lost.digest and m.subject_lost_at is null;
    return null;
end $$;

create trigger manifest_subject_lost after delete on manifest
    referencing old table as gone for each statement execute function gc_mark_lost_subjects();
