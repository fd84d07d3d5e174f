package org.screamrouter.sip.itests.karaf;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/** The whole conformance corpus over TCP, in a container of its own: see {@link CorpusConformance}. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CorpusOverTcpIT extends CorpusConformance {
    @Override
    protected String transport() {
        return "tcp";
    }
}
