/** Values of the registry's domain, validated when they are made: repository names, tags, references, ranges. */
package io.berth.server.domain;
