/** Signing of loader programs, schemes A (insns) and B (insns || data). */
package dev.lskel4j.signing;
