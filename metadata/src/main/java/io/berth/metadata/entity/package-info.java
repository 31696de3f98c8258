/** JPA entities for the tables of {@code db/migration}; only the repository beans touch them. */
package io.berth.metadata.entity;
