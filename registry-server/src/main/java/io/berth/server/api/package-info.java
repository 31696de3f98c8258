/**
 * The HTTP face of Berth: thin resources that parse requests into domain values, call one service and
 * shape the response ({@code v2}, {@code admin}, {@code auth}), the filters that run before them, and the
 * one place errors become answers ({@code error}). With {@code transfer}, the only code that knows HTTP,
 * Netty or Vert.x; {@code LayeringTest} checks it.
 */
package io.berth.server.api;
