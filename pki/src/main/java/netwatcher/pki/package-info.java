/**
 * netwatcher's own certificate authority: a CA and server certificates generated under a data
 * directory on first start, so TLS is on by default with nothing for the user to prepare.
 */
package netwatcher.pki;
