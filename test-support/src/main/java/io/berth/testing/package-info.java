/**
 * Fixtures shared by the tests of every module: the embedded PostgreSQL ({@link io.berth.testing.TestPostgres})
 * and the directories of test servers ({@link io.berth.testing.TestDirectories}). Nothing here knows a Berth
 * module: storage's own tests use it too. Modules depend on it with {@code <scope>test</scope>}.
 */
package io.berth.testing;
