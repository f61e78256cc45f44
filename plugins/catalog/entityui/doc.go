// Package entityui is the catalog's public UI contract, like Backstage's catalog-react: what
// another plugin needs to put cards and tabs on the catalog's entity page. It holds the
// renderer interfaces (CardRenderer, ContentRenderer), the EntityContext they render from, the
// extension IDs and inputs cards and tabs attach to, and links to the catalog pages.
//
// Other plugins may import this package (and only this one, or a client, of the catalog); it
// does no I/O and never touches the catalog's reader or tables: the catalog's entity page
// builds the EntityContext and hands it to the extensions.
package entityui
