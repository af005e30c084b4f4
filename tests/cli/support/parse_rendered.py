"""Reads a rendered file with its format's real parser and prints what it read as one JSON
object, name -> value (an XML attribute's value as "NAME@attribute").

usage: parse_rendered.py FORMAT FILE

FORMAT is json, yaml (PyYAML's safe_load), xml (ElementTree, on expat: <v name="NAME"
a="...">...</v> elements, text and attribute), toml (tomllib), url (NAME=percent-encoded lines,
urllib.parse.unquote_to_bytes) or base64 (NAME=base64 lines, base64.b64decode with validation).
Values are decoded as UTF-8, strictly.
"""
import base64
import json
import sys
import tomllib
import urllib.parse
import xml.etree.ElementTree as ElementTree

import yaml


def lines(data):
    for line in data.decode("utf-8").split("\n"):
        if line:
            name, _, value = line.partition("=")
            yield name, value


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as file:
        data = file.read()
    if kind == "json":
        values = json.loads(data.decode("utf-8"))
    elif kind == "yaml":
        values = yaml.safe_load(data.decode("utf-8"))
    elif kind == "toml":
        values = tomllib.loads(data.decode("utf-8"))
    elif kind == "xml":
        values = {}
        for element in ElementTree.fromstring(data).iter("v"):
            name = element.get("name")
            values[name] = element.text or ""
            values[name + "@attribute"] = element.get("a")
    elif kind == "url":
        values = {
            name: urllib.parse.unquote_to_bytes(value).decode("utf-8")
            for name, value in lines(data)
        }
    elif kind == "base64":
        values = {
            name: base64.b64decode(value, validate=True).decode("utf-8")
            for name, value in lines(data)
        }
    else:
        sys.exit(f"unknown format {kind}")
    json.dump(values, sys.stdout)


main()
