// Package seedfile reads a seed file: a declarative YAML or JSON document
// of an org (profiles, the role tree, custom user fields, users, OAuth
// clients and tokens) that crmguard applies at start or at any time. It
// parses and checks the document on its own, with the line and column of
// every error, and resolves references against a given set of names; it
// does not touch storage. Applying a document is internal/service's work,
// in one transaction.
//
// YAML is read as a node tree (go.yaml.in/yaml/v3) rather than decoded
// into structs, so every value keeps its position, unknown keys are
// refused by name, and a value of the wrong type is reported where it
// stands. JSON is read by the same parser: a JSON document is a YAML flow
// document.
//
// Imports: crmguard, internal/access.
package seedfile
