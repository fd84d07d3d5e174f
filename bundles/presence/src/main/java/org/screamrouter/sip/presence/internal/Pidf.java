package org.screamrouter.sip.presence.internal;

import java.nio.charset.StandardCharsets;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** PIDF documents (RFC 3863): the one the server writes for a device, and the checks of a published one. */
final class Pidf {
    static final String NAMESPACE = "urn:ietf:params:xml:ns:pidf";
    static final String OPEN = "open";
    static final String CLOSED = "closed";

    private Pidf() {}

    /**
     * A presence document with one tuple (RFC 3863 section 4.1): {@code basic} open or closed, the device's
     * contact when online, and a note.
     */
    static String write(String entity, String tupleId, String basic, String contact, String note) {
        StringBuilder s = new StringBuilder(320);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.append("<presence xmlns=\"").append(NAMESPACE).append("\" entity=\"").append(Xml.escape(entity)).append("\">\n");
        s.append("  <tuple id=\"").append(Xml.escape(tupleId)).append("\">\n");
        s.append("    <status><basic>").append(basic).append("</basic></status>\n");
        if (contact != null) s.append("    <contact>").append(Xml.escape(contact)).append("</contact>\n");
        if (note != null) s.append("    <note>").append(Xml.escape(note)).append("</note>\n");
        s.append("  </tuple>\n");
        s.append("</presence>\n");
        return s.toString();
    }

    /**
     * Checks a published document (RFC 3863 section 4: root {@code presence} in the PIDF namespace with an
     * {@code entity}) and returns its first {@code basic} status, or {@code null} when it has none.
     */
    static String check(byte[] body) throws Xml.InvalidXmlException {
        Document doc = Xml.parse(body);
        Element root = doc.getDocumentElement();
        if (!"presence".equals(root.getLocalName()) || !NAMESPACE.equals(root.getNamespaceURI())) {
            throw new Xml.InvalidXmlException("root element is not <presence> in " + NAMESPACE);
        }
        if (!root.hasAttribute("entity")) {
            throw new Xml.InvalidXmlException("<presence> has no entity attribute");
        }
        NodeList basics = root.getElementsByTagNameNS(NAMESPACE, "basic");
        if (basics.getLength() == 0) return null;
        String basic = basics.item(0).getTextContent().trim();
        if (!OPEN.equals(basic) && !CLOSED.equals(basic)) {
            throw new Xml.InvalidXmlException("<basic> must be open or closed, not '" + basic + "'");
        }
        return basic;
    }

    static String check(String body) throws Xml.InvalidXmlException {
        return check(body.getBytes(StandardCharsets.UTF_8));
    }
}
