// Package fetch performs tenant scripts' outbound HTTP requests under each tenant's policy.
package fetch

// Request is one outbound request. (Placeholder types: being written.)
type Request struct{}

// Response is the answer to a Request.
type Response struct{}
