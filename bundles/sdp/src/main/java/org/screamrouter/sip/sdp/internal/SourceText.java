package org.screamrouter.sip.sdp.internal;

import org.screamrouter.sip.sdp.SessionDescription;

/**
 * The text a description was parsed from, kept when writing that description would give back exactly
 * this text: every line ended with CRLF, no error, and every field the writer prints from a parsed
 * number or re-joins from tokens was already in the writer's form (see {@code SdpReader}). The writer
 * then returns the text instead of rebuilding it. Model records are immutable, so "the very description
 * the parser built" ({@link #description} identity) means "unchanged"; any {@code withX} copy is a
 * different object and is written field by field.
 */
public final class SourceText {

    final String text;

    /**
     * Set by the parser right after it builds the description. A thread that sees a description through a
     * data race may see {@code null} here: it then writes the description field by field, which gives the
     * same text, so the race costs time, never correctness.
     */
    SessionDescription description;

    SourceText(String text) {
        this.text = text;
    }
}
