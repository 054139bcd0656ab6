/**
 * The documentation as a test: every command block of README.md and docs/*.md runs exactly as
 * written. {@link netwatcher.docs.MarkdownBlocks} reads the fenced blocks of a Markdown file at test
 * time and classifies each by its info string (a command block is {@code sh}/{@code bash}/{@code shell};
 * output, file contents and code in other languages carry their own word, such as {@code text} or
 * {@code json}; a block without one is an error). {@link netwatcher.docs.DocSession} runs one
 * document's command blocks in order in one bash shell on a "fresh machine" of namespaces (its own
 * network namespace with one NIC and a gateway, so {@code 127.0.0.1:8443} is the document's own and no
 * packet leaves the test; its own mount namespace with empty {@code /run/netns},
 * {@code /etc/netns}, {@code /var/captures} and {@code /tmp}), on a fresh copy of the repository,
 * with the blocks marked {@code background} started aside and awaited. {@code DocsRunTest} runs each document twice;
 * {@code DocsClassificationTest} checks that no block is left unclassified.
 *
 * <p>The convention the documents follow is written down in docs/architecture.md ("Documentation
 * that runs").
 */
package netwatcher.docs;
