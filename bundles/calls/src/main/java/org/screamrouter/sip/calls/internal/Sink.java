package org.screamrouter.sip.calls.internal;

/**
 * A callable sink.
 *
 * @param id      the id the audio bridge knows it by: its config.yaml name
 * @param uuid    the device UUID for a registered device's sink, else its {@code config_id} or {@code null}
 * @param enabled {@code enabled} in config.yaml (a registered device: online)
 */
record Sink(String id, String uuid, boolean enabled) {
}
