<?php
// Used by smoke.sh to submit a wiki form as a browser would: reads a page on stdin, finds the form whose id or
// name is the first argument, and prints its action on the first line and the url-encoded body on the second:
// every hidden and text input with its value, the named submit button (second argument, may be ""), then the
// name=value pairs given as further arguments (they replace fields of the same name).
// Usage: php smoke-form.php FORM BUTTON [name=value ...] < page.html

[ , $formKey, $button ] = $argv + [ null, null, '' ];
$overrides = [];
foreach ( array_slice( $argv, 3 ) as $pair ) {
	[ $name, $value ] = explode( '=', $pair, 2 ) + [ 1 => '' ];
	$overrides[$name] = $value;
}

$doc = new DOMDocument();
libxml_use_internal_errors( true );
$doc->loadHTML( stream_get_contents( STDIN ) );
$xpath = new DOMXPath( $doc );
$forms = $xpath->query( "//form[@id='$formKey' or @name='$formKey']" );
if ( $forms->length === 0 ) {
	fwrite( STDERR, "no form '$formKey' on the page\n" );
	exit( 1 );
}
$form = $forms->item( 0 );

$fields = [];
foreach ( $xpath->query( './/input | .//button', $form ) as $input ) {
	$name = $input->getAttribute( 'name' );
	$type = strtolower( $input->getAttribute( 'type' ) ?: 'text' );
	if ( $name === '' ) {
		continue;
	}
	if ( $type === 'submit' || $input->nodeName === 'button' ) {
		if ( $name === $button ) {
			$fields[$name] = $input->getAttribute( 'value' );
		}
		continue;
	}
	if ( in_array( $type, [ 'hidden', 'text', 'password', 'email' ], true ) ) {
		$fields[$name] = $input->getAttribute( 'value' );
	} elseif ( in_array( $type, [ 'checkbox', 'radio' ], true ) && $input->hasAttribute( 'checked' ) ) {
		$fields[$name] = $input->getAttribute( 'value' ) ?: 'on';
	}
}
if ( $button !== '' && !array_key_exists( $button, $fields ) ) {
	fwrite( STDERR, "no button '$button' in form '$formKey'\n" );
	exit( 1 );
}

echo $form->getAttribute( 'action' ), "\n";
echo http_build_query( array_merge( $fields, $overrides ), '', '&', PHP_QUERY_RFC3986 ), "\n";
