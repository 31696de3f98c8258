/** The server's own settings ({@code berth.registry.*}); each module maps its own prefix. */
package io.berth.server.config;
