package io.berth.metadata.repository;

import io.berth.metadata.entity.RepositoryEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Repositories by name, and the catalog. */
@ApplicationScoped
public class RepositoryRepository implements PanacheRepositoryBase<RepositoryEntity, Long> {

    /** Returns the id of the named repository, or empty if nothing was ever pushed to it. */
    public Optional<Long> findIdByName(String name) {
        return getEntityManager()
                .createQuery("select r.id from RepositoryEntity r where r.name = :name", Long.class)
                .setParameter("name", name)
                .getResultStream()
                .findFirst();
    }

    /**
     * Deletes the named repository with everything in it (manifests, tags, blob links, upload sessions)
     * and returns the ids of the upload sessions it had, whose staged bytes are the caller's to drop;
     * empty if there is no such repository. Blobs other repositories link stay; the rest become garbage.
     */
    @SuppressWarnings("unchecked")
    public Optional<List<UUID>> delete(String name) {
        List<?> ids = getEntityManager()
                .createNativeQuery("select id from repository where name = ?1 for update")
                .setParameter(1, name)
                .getResultList();
        if (ids.isEmpty()) {
            return Optional.empty();
        }
        long id = ((Number) ids.get(0)).longValue();
        List<UUID> sessions = getEntityManager()
                .createNativeQuery("select id from upload_session where repository_id = ?1", UUID.class)
                .setParameter(1, id)
                .getResultList();
        getEntityManager().createNativeQuery("delete from repository where id = ?1").setParameter(1, id).executeUpdate();
        return Optional.of(sessions);
    }

    /** Returns the id of the named repository, creating it if needed; safe against concurrent creation. */
    public long getOrCreate(String name) {
        Optional<Long> existing = findIdByName(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        getEntityManager()
                .createNativeQuery("insert into repository (name) values (?1) on conflict (name) do nothing")
                .setParameter(1, name)
                .executeUpdate();
        return findIdByName(name).orElseThrow(() -> new IllegalStateException("repository " + name + " vanished"));
    }

    /**
     * Returns up to {@code limit} names of repositories that hold at least one manifest, in byte order,
     * after {@code last} (exclusive) when it is given, limited to what {@code visible} lets the caller see.
     */
    @SuppressWarnings("unchecked")
    public List<String> listNames(Optional<String> last, int limit, Visibility visible) {
        return getEntityManager()
                .createNativeQuery("""
                        select r.name from repository r
                        where (cast(?1 as varchar) is null or r.name > cast(?1 as varchar))
                          and exists (select 1 from manifest m where m.repository_id = r.id)
                          and (?3 or split_part(r.name, '/', 1) = any(cast(?4 as varchar[])) or r.public
                               or exists (select 1 from namespace n where n.name = split_part(r.name, '/', 1) and n.public))
                        order by r.name
                        limit ?2""")
                .setParameter(1, last.orElse(null))
                .setParameter(2, limit)
                .setParameter(3, visible.everything())
                .setParameter(4, visible.namespaces().toArray(String[]::new))
                .getResultList();
    }

    /**
     * Returns whether anyone may pull the named repository: it is public itself, or its namespace (the
     * first component of its name) is.
     */
    public boolean isPublic(String name) {
        Object found = getEntityManager()
                .createNativeQuery("""
                        select exists (select 1 from repository where name = ?1 and public)
                            or exists (select 1 from namespace where name = split_part(?1, '/', 1) and public)""")
                .setParameter(1, name)
                .getSingleResult();
        return Boolean.TRUE.equals(found);
    }

    /** Makes a repository public or private; returns false if no such repository exists. */
    public boolean setPublic(String name, boolean isPublic) {
        return getEntityManager()
                .createNativeQuery("update repository set public = ?2 where name = ?1")
                .setParameter(1, name)
                .setParameter(2, isPublic)
                .executeUpdate() > 0;
    }

    /**
     * Which repositories a caller may see in the catalog: all of them, or those in the given namespaces
     * and the public ones.
     */
    public record Visibility(boolean everything, java.util.Set<String> namespaces) {

        public static final Visibility ALL = new Visibility(true, java.util.Set.of());
    }
}
