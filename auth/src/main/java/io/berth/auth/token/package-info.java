/** Registry tokens: the keys that sign them, issuing and verifying JWTs, refresh tokens. */
package io.berth.auth.token;
