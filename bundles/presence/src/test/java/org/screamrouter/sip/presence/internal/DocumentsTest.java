package org.screamrouter.sip.presence.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class DocumentsTest {
    @Test
    void pidfIsWellFormedAndParsesBackWithEscapedText() throws Exception {
        String xml = Pidf.write("sip:dev\"1@example.com", "t1", Pidf.OPEN, "sip:dev1@127.0.0.1:5999;a=<b>", "a & b");
        Document doc = Xml.parse(xml.getBytes(StandardCharsets.UTF_8));
        Element root = doc.getDocumentElement();
        assertThat(root.getLocalName()).isEqualTo("presence");
        assertThat(root.getNamespaceURI()).isEqualTo(Pidf.NAMESPACE);
        assertThat(root.getAttribute("entity")).isEqualTo("sip:dev\"1@example.com");
        assertThat(root.getElementsByTagNameNS(Pidf.NAMESPACE, "contact").item(0).getTextContent()).isEqualTo("sip:dev1@127.0.0.1:5999;a=<b>");
        assertThat(root.getElementsByTagNameNS(Pidf.NAMESPACE, "note").item(0).getTextContent()).isEqualTo("a & b");
        assertThat(Pidf.check(xml)).isEqualTo("open");
        assertThat(Pidf.check(Pidf.write("sip:a@b", "t", Pidf.CLOSED, null, null))).isEqualTo("closed");
    }

    @Test
    void publishedPidfIsChecked() {
        assertThatThrownBy(() -> Pidf.check("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple")).isInstanceOf(Xml.InvalidXmlException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> Pidf.check("<presence entity='sip:a@b'/>")).hasMessageContaining("root element");
        assertThatThrownBy(() -> Pidf.check("<presence xmlns='urn:ietf:params:xml:ns:pidf'/>")).hasMessageContaining("entity");
        assertThatThrownBy(() -> Pidf.check("<presence xmlns='urn:ietf:params:xml:ns:pidf' entity='sip:a@b'><tuple id='x'><status><basic>maybe</basic></status></tuple></presence>"))
                .hasMessageContaining("open or closed");
        // no DTD, no external entity is ever fetched
        assertThatThrownBy(() -> Pidf.check("<!DOCTYPE p [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><presence xmlns='urn:ietf:params:xml:ns:pidf' entity='&x;'/>"))
                .isInstanceOf(Xml.InvalidXmlException.class);
    }

    @Test
    void reginfoIsWellFormedFullStateWithStableIds() throws Exception {
        List<Reginfo.Registration> regs = List.of(
                new Reginfo.Registration("sip:dev1@screamrouter.local", List.of(new Reginfo.Contact("sip:dev1@127.0.0.1:5999", true, "registered", 300))),
                new Reginfo.Registration("sip:dev2@screamrouter.local", List.of(new Reginfo.Contact("sip:dev2@127.0.0.1:5998", false, "deactivated", 0))));
        String xml = Reginfo.write(7, true, regs);
        Element root = Xml.parse(xml.getBytes(StandardCharsets.UTF_8)).getDocumentElement();
        assertThat(root.getNamespaceURI()).isEqualTo(Reginfo.NAMESPACE);
        assertThat(root.getAttribute("version")).isEqualTo("7");
        assertThat(root.getAttribute("state")).isEqualTo("full");
        var registrations = root.getElementsByTagNameNS(Reginfo.NAMESPACE, "registration");
        assertThat(registrations.getLength()).isEqualTo(2);
        Element first = (Element) registrations.item(0);
        assertThat(first.getAttribute("aor")).isEqualTo("sip:dev1@screamrouter.local");
        assertThat(first.getAttribute("state")).isEqualTo("active");
        Element contact = (Element) first.getElementsByTagNameNS(Reginfo.NAMESPACE, "contact").item(0);
        assertThat(contact.getAttribute("expires")).isEqualTo("300");
        assertThat(contact.getElementsByTagNameNS(Reginfo.NAMESPACE, "uri").item(0).getTextContent()).isEqualTo("sip:dev1@127.0.0.1:5999");
        Element second = (Element) registrations.item(1);
        assertThat(second.getAttribute("state")).isEqualTo("terminated");
        assertThat(((Element) second.getElementsByTagNameNS(Reginfo.NAMESPACE, "contact").item(0)).getAttribute("event")).isEqualTo("deactivated");
        // ids stay the same from one notification to the next
        assertThat(Reginfo.write(8, false, regs)).contains("state=\"partial\"").contains("id=\"" + first.getAttribute("id") + "\"");
    }
}
