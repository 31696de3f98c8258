-- Immutable tags: glob patterns ('*' any run of characters, '?' one) that a namespace or a repository
-- declares; a tag that matches a pattern of its repository or of its namespace cannot be moved to
-- another manifest or deleted.
create table immutable_tag_rule (
    scope_kind          varchar(16) not null check (scope_kind in ('namespace', 'repository')),
    scope_name          varchar(255) collate "C" not null,
    pattern             varchar(128) collate "C" not null,
    created_by          varchar(255) not null,
    created_at          timestamptz not null default now(),
    primary key (scope_kind, scope_name, pattern)
);

-- Every tag move and deletion, with who did it: a tag can be put back on an earlier digest while that
-- manifest still exists. A repository's history goes with the repository.
create table tag_event (
    id                  bigint generated always as identity primary key,
    repository_id       bigint not null references repository (id) on delete cascade,
    tag                 varchar(128) collate "C" not null,
    from_digest         varchar(200),
    to_digest           varchar(200),
    actor               varchar(255) not null,
    at                  timestamptz not null default now()
);
create index tag_event_by_tag on tag_event (repository_id, tag, id desc);

-- Retention: which tags and untagged manifests the garbage collector removes, per namespace or per
-- repository (a repository's rule replaces its namespace's). Immutable tags, tags matching
-- keep_patterns (newline-separated globs) and the keep_newest most recently pushed tags always stay;
-- of the others, those pushed longer than remove_tags_older_than ago, or whose manifest was not
-- pulled (nor pushed) within remove_not_pulled_for, go. Untagged manifests created
-- longer than remove_untagged_older_than ago go (referrers follow their subject instead). Absent
-- values do not apply.
create table retention_rule (
    scope_kind          varchar(16) not null check (scope_kind in ('namespace', 'repository')),
    scope_name          varchar(255) collate "C" not null,
    keep_newest         integer check (keep_newest >= 0),
    keep_patterns       text not null default '',
    remove_tags_older_than_seconds      bigint check (remove_tags_older_than_seconds > 0),
    remove_not_pulled_for_seconds       bigint check (remove_not_pulled_for_seconds > 0),
    remove_untagged_older_than_seconds  bigint check (remove_untagged_older_than_seconds > 0),
    updated_by          varchar(255) not null,
    updated_at          timestamptz not null default now(),
    primary key (scope_kind, scope_name)
);

-- When a manifest was last pulled (GET), written at most once a minute per manifest from a buffer, so
-- that retention can remove what nobody pulls; empty until its first pull.
alter table manifest add column last_pulled_at timestamptz;

-- Quotas: how many bytes of blobs a namespace's repositories may link, a blob linked by several of
-- them counting once. Uploads, mounts and manifest pushes that would exceed it are refused.
create table namespace_quota (
    namespace           varchar(255) collate "C" primary key,
    bytes               bigint not null check (bytes >= 0),
    updated_by          varchar(255) not null,
    updated_at          timestamptz not null default now()
);

-- When a manifest lost the last index that listed it (the index was deleted) while no tag pointed at
-- it: the garbage collector removes such platform manifests after its grace period, unless a tag or an
-- index has claimed them again meanwhile. Cleared when a tag is pointed at the manifest.
alter table manifest add column orphaned_at timestamptz;
create index manifest_orphaned on manifest (orphaned_at) where orphaned_at is not null;
