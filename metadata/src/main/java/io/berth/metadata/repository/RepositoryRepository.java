package io.berth.metadata.repository;

import io.berth.metadata.entity.RepositoryEntity;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;

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
     * after {@code last} (exclusive) when it is given.
     */
    @SuppressWarnings("unchecked")
    public List<String> listNames(Optional<String> last, int limit) {
        return getEntityManager()
                .createNativeQuery("""
                        select r.name from repository r
                        where (cast(?1 as varchar) is null or r.name > cast(?1 as varchar))
                          and exists (select 1 from manifest m where m.repository_id = r.id)
                        order by r.name
                        limit ?2""")
                .setParameter(1, last.orElse(null))
                .setParameter(2, limit)
                .getResultList();
    }
}
