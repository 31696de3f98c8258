package io.berth.server.service;

import java.util.List;
import java.util.Optional;

/**
 * One page of a lexically ordered listing.
 *
 * @param size the page size that was applied
 * @param next the {@code last} value that fetches the next page, or empty on the last page
 */
public record Page(List<String> entries, int size, Optional<String> next) {
}
