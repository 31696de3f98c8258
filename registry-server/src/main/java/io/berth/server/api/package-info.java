/** The HTTP face of Berth: thin resources that parse requests into domain values, call one service and shape the response. */
package io.berth.server.api;
