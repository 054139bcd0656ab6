/**
 * Small helpers every ARM resource feature shares: name rules, location normalisation, weak
 * etags and conditional-request checks. Stateless.
 */
package netwatcher.controller.resources;
