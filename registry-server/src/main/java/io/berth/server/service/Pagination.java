package io.berth.server.service;

import io.berth.server.config.RegistryConfig;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/** Pages tags/list and _catalog: the client's {@code n} within the configured bounds, and the next cursor. */
@ApplicationScoped
public class Pagination {

    private final RegistryConfig config;

    public Pagination(RegistryConfig config) {
        this.config = config;
    }

    /**
     * Fetches one page: {@code fetch} is asked for one entry more than the page holds, which tells
     * whether another page follows.
     */
    public Page page(Optional<Integer> requested, IntFunction<List<String>> fetch) {
        int size = requested.orElse(config.pagination().defaultSize());
        if (size < 0) {
            throw new RegistryException(OciErrorCode.PAGINATION_NUMBER_INVALID, "n must not be negative")
                    .withDetail("n", size);
        }
        size = Math.min(size, config.pagination().maxSize());
        if (size == 0) {
            return new Page(List.of(), 0, Optional.empty());
        }
        List<String> entries = fetch.apply(size + 1);
        if (entries.size() > size) {
            List<String> page = entries.subList(0, size);
            return new Page(List.copyOf(page), size, Optional.of(page.get(size - 1)));
        }
        return new Page(entries, size, Optional.empty());
    }
}
