package io.berth.metadata.repository;

import io.berth.metadata.entity.TagEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Tags: names that point at manifests. */
@ApplicationScoped
public class TagRepository implements PanacheRepositoryBase<TagEntity, TagEntity.Key> {

    /** A tag with the manifest it points at, when it was last pushed (created or moved), and when that manifest was last pulled. */
    public record PushedTag(String name, String digest, Instant pushedAt, Optional<Instant> pulledAt) {
    }

    /** Every tag of a repository, most recently pushed first. */
    public List<PushedTag> listPushed(long repositoryId) {
        List<?> rows = getEntityManager()
                .createNativeQuery("""
                        select t.name, m.digest, t.updated_at, m.last_pulled_at from tag t join manifest m on m.id = t.manifest_id
                        where t.repository_id = ?1 order by t.updated_at desc, t.name""")
                .setParameter(1, repositoryId)
                .getResultList();
        return rows.stream().map(row -> (Object[]) row)
                .map(row -> new PushedTag((String) row[0], (String) row[1], Times.instant(row[2]),
                        Optional.ofNullable(row[3]).map(Times::instant))).toList();
    }

    /** A tag move or deletion as recorded: {@code from} empty for a new tag, {@code to} empty for a deletion. */
    public record TagEvent(long id, String tag, Optional<String> from, Optional<String> to, String actor, Instant at) {
    }

    /**
     * Returns the digest the tag points at, locking the tag until the transaction ends so that the
     * caller's decision about it (may it move?) holds until it commits; empty if there is no such tag.
     */
    public Optional<String> currentDigest(long repositoryId, String tag) {
        List<?> rows = getEntityManager()
                .createNativeQuery("""
                        select m.digest from tag t join manifest m on m.id = t.manifest_id
                        where t.repository_id = ?1 and t.name = ?2 for update of t""")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .getResultList();
        return rows.stream().map(String.class::cast).findFirst();
    }

    /** The tags that point at a manifest. */
    @SuppressWarnings("unchecked")
    public List<String> namesOf(long manifestId) {
        return getEntityManager()
                .createNativeQuery("select name from tag where manifest_id = ?1 order by name")
                .setParameter(1, manifestId)
                .getResultList();
    }

    /**
     * Points a tag at a manifest, creating or moving it, and records the move if it is one, in one
     * statement: the caller has read (and locked) where the tag pointed before with {@link #currentDigest}.
     * Returns false, changing nothing, if the caller saw no tag but a concurrent push has created it
     * since: the caller reads it again and decides anew.
     */
    public boolean point(long repositoryId, String tag, long manifestId, String digest, Optional<String> previous,
            String actor) {
        boolean moved = previous.isEmpty() || !previous.get().equals(digest);
        Number pointed = (Number) getEntityManager()
                .createNativeQuery("""
                        with upsert as (insert into tag (repository_id, name, manifest_id) values (?1, ?2, ?3)
                                        on conflict (repository_id, name)
                                        do update set manifest_id = excluded.manifest_id, updated_at = now() where ?8
                                        returning 1),
                             -- A tagged manifest is no orphaned platform of a deleted index any more.
                             claimed as (update manifest set orphaned_at = null
                                         where id = ?3 and orphaned_at is not null and exists (select 1 from upsert)
                                         returning 1),
                             event as (insert into tag_event (repository_id, tag, from_digest, to_digest, actor)
                                       select ?1, ?2, cast(?4 as varchar), ?5, ?6 where ?7 and exists (select 1 from upsert)
                                       returning 1)
                        select count(*) from upsert""")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .setParameter(3, manifestId)
                .setParameter(4, previous.orElse(null))
                .setParameter(5, digest)
                .setParameter(6, actor)
                .setParameter(7, moved)
                .setParameter(8, previous.isPresent())
                .getSingleResult();
        return pointed.intValue() > 0;
    }

    /** Notes that the upstream of a mirrored tag confirmed, just now, where it points. */
    public void markUpstreamChecked(long repositoryId, String tag) {
        getEntityManager()
                .createNativeQuery("update tag set upstream_checked_at = now() where repository_id = ?1 and name = ?2")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .executeUpdate();
    }

    /** Removes a tag, leaving its manifest, and records it; returns false if there was no such tag. */
    public boolean remove(long repositoryId, String tag, String actor) {
        Optional<String> previous = currentDigest(repositoryId, tag);
        if (previous.isEmpty()) {
            return false;
        }
        getEntityManager()
                .createNativeQuery("delete from tag where repository_id = ?1 and name = ?2")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .executeUpdate();
        record(repositoryId, tag, previous.get(), null, actor);
        return true;
    }

    /**
     * Removes a tag if it still points where it did when it was listed (same digest, same push time),
     * and records it; returns false if it was moved or removed meanwhile.
     */
    public boolean removeIfUnchanged(long repositoryId, String tag, String digest, Instant pushedAt, String actor) {
        int removed = getEntityManager()
                .createNativeQuery("""
                        delete from tag t using manifest m
                        where t.repository_id = ?1 and t.name = ?2 and m.id = t.manifest_id and m.digest = ?3
                          and t.updated_at = ?4""")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .setParameter(3, digest)
                .setParameter(4, pushedAt)
                .executeUpdate();
        if (removed > 0) {
            record(repositoryId, tag, digest, null, actor);
        }
        return removed > 0;
    }

    /** Records that these tags went with the manifest they pointed at (its deletion removes them by cascade). */
    public void recordRemovals(long repositoryId, List<String> tags, String digest, String actor) {
        tags.forEach(tag -> record(repositoryId, tag, digest, null, actor));
    }

    private void record(long repositoryId, String tag, String from, String to, String actor) {
        getEntityManager()
                .createNativeQuery("insert into tag_event (repository_id, tag, from_digest, to_digest, actor) values (?1, ?2, ?3, ?4, ?5)")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .setParameter(3, from)
                .setParameter(4, to)
                .setParameter(5, actor)
                .executeUpdate();
    }

    /** A tag's moves and deletion, newest first. */
    public List<TagEvent> history(long repositoryId, String tag, int limit) {
        List<?> rows = getEntityManager()
                .createNativeQuery("""
                        select id, tag, from_digest, to_digest, actor, at from tag_event
                        where repository_id = ?1 and tag = ?2 order by id desc limit ?3""")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .setParameter(3, limit)
                .getResultList();
        return rows.stream().map(row -> (Object[]) row).map(row -> new TagEvent(((Number) row[0]).longValue(), (String) row[1],
                Optional.ofNullable((String) row[2]), Optional.ofNullable((String) row[3]), (String) row[4],
                Times.instant(row[5]))).toList();
    }

    /** Returns up to {@code limit} tag names of a repository in byte order, after {@code last} if given. */
    @SuppressWarnings("unchecked")
    public List<String> listNames(long repositoryId, Optional<String> last, int limit) {
        return getEntityManager()
                .createNativeQuery("""
                        select name from tag
                        where repository_id = ?1 and (cast(?2 as varchar) is null or name > cast(?2 as varchar))
                        order by name
                        limit ?3""")
                .setParameter(1, repositoryId)
                .setParameter(2, last.orElse(null))
                .setParameter(3, limit)
                .getResultList();
    }
}
