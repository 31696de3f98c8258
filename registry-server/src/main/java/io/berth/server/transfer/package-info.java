/**
 * How blob bytes move, on Netty and Vert.x: request bodies read into a bounded queue for the thread that
 * stores them ({@link io.berth.server.transfer.RequestBodies}), blocks read around the page cache sent
 * without a copy ({@link io.berth.server.transfer.BlobBlocksWriter}), and blobs fetched from object
 * storage on the event loops and piped to the client ({@link io.berth.server.transfer.RemoteBlobFetcher},
 * {@link io.berth.server.transfer.DirectBlobFetch}, {@link io.berth.server.transfer.RemoteBlobWriter}).
 * The resources in {@code api.v2} hand them streams and entities; only this package and the API's filters
 * touch the transport. Its tunables are {@link io.berth.server.transfer.TransferConfig}.
 */
package io.berth.server.transfer;
