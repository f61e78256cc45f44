#!/bin/sh
echo "lean"
