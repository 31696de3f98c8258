package io.berth.metadata.repository;

import io.berth.metadata.entity.TagEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

/** Tags: names that point at manifests. */
@ApplicationScoped
public class TagRepository implements PanacheRepositoryBase<TagEntity, TagEntity.Key> {

    /** Points a tag at a manifest, creating or moving it. */
    public void point(long repositoryId, String tag, long manifestId) {
        getEntityManager()
                .createNativeQuery("""
                        insert into tag (repository_id, name, manifest_id) values (?1, ?2, ?3)
                        on conflict (repository_id, name)
                        do update set manifest_id = excluded.manifest_id, updated_at = now()""")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .setParameter(3, manifestId)
                .executeUpdate();
    }

    /** Removes a tag, leaving its manifest; returns false if there was no such tag. */
    public boolean remove(long repositoryId, String tag) {
        return getEntityManager()
                .createNativeQuery("delete from tag where repository_id = ?1 and name = ?2")
                .setParameter(1, repositoryId)
                .setParameter(2, tag)
                .executeUpdate() > 0;
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
