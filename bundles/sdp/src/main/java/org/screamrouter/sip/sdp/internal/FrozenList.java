package org.screamrouter.sip.sdp.internal;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.screamrouter.sip.sdp.Attribute;

/**
 * An unmodifiable list over an array the parser filled, handed to the model without a copy: the
 * parser never touches the array again. {@link #freeze(List)} keeps such a list as it is and copies
 * anything else, so records stay immutable whoever builds them.
 */
public final class FrozenList<E> extends AbstractList<E> implements RandomAccess {

    private final Object[] elements;
    private final int size;
    /** The parsed text when this is the session attribute list of a description written verbatim, else null. */
    final SourceText source;

    /**
     * For an attribute list the parser filled lazily: where each not yet built attribute's value lies in
     * {@link #text} (see {@link Growable#addLazy}); such a slot holds the attribute's name until first read.
     * Null for any other list.
     */
    private final int[] spans;
    private final String text;

    FrozenList(Object[] elements, int size) {
        this(elements, size, null, null, null);
    }

    FrozenList(Object[] elements, int size, SourceText source) {
        this(elements, size, source, null, null);
    }

    FrozenList(Object[] elements, int size, SourceText source, String text, int[] spans) {
        this.elements = elements;
        this.size = size;
        this.source = source;
        this.text = text;
        this.spans = spans;
    }

    @SuppressWarnings("unchecked")
    @Override
    public E get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(index);
        }
        Object e = elements[index];
        if (spans != null && e instanceof String name) {
            // built on first read and kept: a racing reader may build an equal copy, and Attribute's final
            // fields make either one safe to publish through the array
            int vs = spans[2 * index];
            e = new Attribute(name, vs < 0 ? null : text.substring(vs, spans[2 * index + 1]));
            elements[index] = e;
        }
        return (E) e;
    }

    @Override
    public int size() {
        return size;
    }

    public static <E> List<E> freeze(List<E> list) {
        if (list instanceof FrozenList<E>) {
            return list;
        }
        return List.copyOf(list);
    }
}
