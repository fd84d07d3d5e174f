/** SLF4J adapters for the JAIN-SIP stack's loggers; named by class in the stack's properties. */
@org.osgi.annotation.versioning.Version("1.0.0")
package org.screamrouter.sip.jainsip;
