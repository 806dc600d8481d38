fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  const out=document.getElementById('ops'); out.textContent='';
  const schemas=(doc.components||{}).schemas||{};
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const d=document.createElement('details'); d.className='op';
      const s=document.createElement('summary');
      s.innerHTML=`<span class="m ${method}">${method}</span><code></code><span></span>`;
      s.children[1].textContent=path; s.children[2].textContent=op.summary||op.description||'';
      d.appendChild(s);
      const pre=document.createElement('pre');
      pre.textContent=JSON.stringify({parameters:op.parameters,requestBody:op.requestBody,responses:op.responses,security:op.security},null,2);
      d.appendChild(pre); out.appendChild(d);
    }
  }
  const h=document.createElement('h2'); h.textContent='Schemas'; out.appendChild(h);
  const pre=document.createElement('pre'); pre.textContent=JSON.stringify(schemas,null,2); out.appendChild(pre);
});
